"""The salon's Telegram client bot: aiogram 3 + aiogram-dialog, one self-editing message.

Start with ``bot/app.py`` (how the dispatcher is assembled) and ``bot/dialogs/`` (the screens).
The bot reaches the database only through ``bot.facade.BookingFacade``.
"""
