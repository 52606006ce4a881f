"""Qt item models over the audit model: links, hops, UTM parameters, findings, domains, history."""
