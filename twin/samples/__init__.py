"""Sample venues shipped with the package (YAML files and generators)."""
