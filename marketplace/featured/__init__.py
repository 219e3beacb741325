"""The home page's featured lists: editors' picks first, in their order, then the most popular, then by name."""
