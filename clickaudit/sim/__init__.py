"""The tracking-server simulator (HTTP/HTTPS on 127.0.0.1) and its certificates, for tests,
benchmarks and the demo. Part of the engine: no Qt, no test-only imports."""

from clickaudit.sim.certs import LeafSpec, SimCertificates
from clickaudit.sim.server import Route, SimRequest, SimServer, load_routes

__all__ = ["LeafSpec", "Route", "SimCertificates", "SimRequest", "SimServer", "load_routes"]
