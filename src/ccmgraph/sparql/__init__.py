"""The SPARQL query language: the guard against outbound requests, the syntax helpers (declared
prefixes, nesting, error messages), RDF datasets, and the ``Answer`` a query gives. Nothing here
imports a store, the engine or the web layer (the layers are checked by import-linter)."""
