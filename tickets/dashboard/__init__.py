"""The supervisors' dashboard: figures computed in the background, charts, the page."""
