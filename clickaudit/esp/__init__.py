"""ESP fingerprints (data in resources/esp/) and the matchers over them."""
