"""The quota module panel."""
