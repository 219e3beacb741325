"""The catalog: categories, products and experiences, their variants and slots, images, publishing."""
