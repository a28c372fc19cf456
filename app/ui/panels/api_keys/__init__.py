"""The api keys module panel."""
