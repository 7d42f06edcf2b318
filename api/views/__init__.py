"""`/api/v1/`, one module a resource; `base` holds what every view shares."""
