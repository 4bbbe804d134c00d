"""Moving the plan in and out of cmdesk: CSV import and export, and iCalendar files.

``csv_format`` says what a CSV file of posts looks like (the documented columns, reading and
writing cells); ``csv_import`` checks a whole file and writes it in one transaction;
``csv_export`` writes the same columns back; ``ics`` writes an iCalendar file; ``upkeep`` keeps a
subscribed ``.ics`` file up to date. :class:`cmdesk.services.exchange.ExchangeService` is the one
entry point the GUI and the CLI use.
"""
