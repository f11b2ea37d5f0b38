"""The closed case loop and its catalogue of categories and filing standards."""
