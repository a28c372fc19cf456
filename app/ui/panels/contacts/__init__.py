"""Contacts & companies: the people and organisations the workspace deals with."""
