"""Running a query above the store: evaluation in killable worker processes within limits, the
engine (response cache, in-flight coalescing) and the service description."""
