"""Network plumbing shared by the follow and domain stages: resolvers and address policy."""
