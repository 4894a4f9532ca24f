"""Running SPARQL safely: the guard against outbound requests, the formats and content
negotiation, execution within limits, the worker pool with time limits, the engine that
ties them together, and the service description."""
