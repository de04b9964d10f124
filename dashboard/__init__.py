"""Dashboard: read-side queries, plotly pages, the ops console, and login with roles."""
