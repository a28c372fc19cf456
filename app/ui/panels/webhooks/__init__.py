"""The webhooks module panel."""
