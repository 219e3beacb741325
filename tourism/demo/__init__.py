"""Demo data for tourism, apart from the runtime: `tourism.demo.seed.seed_demo` loads it (the CLI's `seed`)."""
