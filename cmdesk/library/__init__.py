"""The library of reusable text: hashtag groups and templates (snippets) for the composer.

* :mod:`.hashtags` turns what a person types into a clean, ordered list of valid hashtags;
* :mod:`.templates` fills a template's placeholders (``{date}``, ``{link}``...) when inserted;
* :mod:`.dto` the frozen values ``ctx.library`` (:mod:`cmdesk.services.library`) hands out;
* :mod:`.demo` the groups and templates of the demo workspaces.
"""
