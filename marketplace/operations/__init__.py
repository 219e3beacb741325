"""Operating the service: Prometheus metrics and the record of background job runs."""
