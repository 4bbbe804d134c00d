"""Campaigns, content pillars and tags: their rules, counts and the calendar's campaign bands.

The service is :class:`cmdesk.services.campaigns.CampaignService` (``ctx.campaigns``); this package
holds its DTOs (:mod:`.dto`), its checks (:mod:`.rules`) and its read queries (:mod:`.queries`).
"""
