"""API shapes of the approvals service, one module per subdomain (cases: catalogue, cases, ratings; enforcement;
performance; imports). Nothing is re-exported here."""
