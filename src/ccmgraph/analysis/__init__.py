"""The analyses over the graph, shared by every interface (API, pages, CLI); no web framework here.

- ``views``: the SPARQL views in queries/views/*.rq, run with parameters bound as RDF terms;
- ``models``: the answers, as pydantic models (the API's response schemas);
- ``service``: the analyst questions (LAP actions, coverage, work plans, States, partners,
  timeline, comparison, search, named queries), each a function of a Store and plain values.
"""
