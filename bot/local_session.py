"""Telegram simulated at the Bot API boundary, for the local terminal chat (``--local``) and
the benchmark; the tests subclass it (``tests/bot/simulator.py``) to record calls and inject
failures.

``TelegramSimulator`` is an aiogram session that answers Bot API methods the way the real
server does: it receives each request as the form fields aiogram would post (JSON-encoded
markup, ``attach://`` files), keeps the chats' messages (ids counting up, inline keyboards,
the reply keyboard), returns real JSON through aiogram's own response parsing, and refuses
what Telegram refuses ("message is not modified", "query is too old", an empty text, a bad
keyboard). ``check_request`` is the hook a subclass uses to see or fail each request.

``SimulatedUser`` is a person in a private chat: they type text, press buttons by their label
in the last keyboard they see, and share their contact. Each action is a real ``Update`` fed
to the real dispatcher.
"""

from __future__ import annotations

import itertools
import json
import time
import unicodedata
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InputFile, Update

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are "
    "exactly the same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "Bad Request: query is too old and response timeout expired or query id is invalid"


class ApiError(Exception):
    """Raised inside the simulator to produce an error response."""

    def __init__(self, description: str, status: int = 400, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.description = description
        self.status = status
        self.retry_after = retry_after


@dataclass
class SimMessage:
    message_id: int
    from_bot: bool
    date: int
    text: str | None = None
    inline_keyboard: list[list[dict[str, Any]]] | None = None
    document: dict[str, Any] | None = None
    caption: str | None = None
    contact: dict[str, Any] | None = None
    photo: list[dict[str, Any]] | None = None


@dataclass
class SimChat:
    id: int
    first_name: str = "Client"
    type: str = "private"  # a negative id is a group ("supergroup", named by ``first_name``)
    messages: dict[int, SimMessage] = field(default_factory=dict)
    reply_keyboard: list[list[dict[str, Any]]] | None = None
    reply_keyboard_one_time: bool = False
    next_message_id: int = 1

    def new_id(self) -> int:
        value = self.next_message_id
        self.next_message_id += 1
        return value


def visible(text: str) -> str:
    """A button label as a person reads it (aiogram-dialog hides callback data in reply
    buttons with zero-width characters)."""
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()


class TelegramSimulator(BaseSession):
    """An in-memory Bot API server behind aiogram's session interface."""

    def __init__(self, bot_id: int = 4242, bot_username: str = "salon_test_bot") -> None:
        super().__init__()
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Salon", "username": bot_username}
        self.chats: dict[int, SimChat] = {}
        self.events: list[tuple[str, int, SimMessage]] = []  # ("send" | "edit" | "delete", chat, msg)
        self.files: dict[str, bytes] = {}
        self.commands: dict[str, list[dict[str, Any]]] = {}
        self._callbacks: dict[str, bool] = {}
        self._file_ids = itertools.count(1)

    # --- the chats -----------------------------------------------------------------------------

    def chat(self, chat_id: int, first_name: str = "Client") -> SimChat:
        if chat_id not in self.chats:
            self.chats[chat_id] = SimChat(chat_id, first_name, "supergroup" if chat_id < 0 else "private")
        return self.chats[chat_id]

    def register_callback(self, callback_id: str) -> None:
        """A callback query the user has just sent: it may be answered once."""
        self._callbacks[callback_id] = False

    def check_request(self, method: TelegramMethod[Any], name: str, params: dict[str, Any]) -> None:
        """Called with every request before it is served: raise ``ApiError`` to answer it with
        an error, or aiogram's ``TelegramNetworkError`` for no answer at all."""

    # --- aiogram's session interface -------------------------------------------------------------

    async def close(self) -> None:
        return None

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,  # noqa: ASYNC109
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield self.files.get(url.rsplit("/", 1)[-1], b"")

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109
    ) -> TelegramType:
        name = method.__api_method__
        files: dict[str, InputFile] = {}
        params: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:  # the form builder drops empty fields the same way
                params[key] = _decode(prepared)
        for key, file in files.items():
            params[f"file:{key}"] = (file.filename, await _read(file, bot))
        try:
            self.check_request(method, name, params)
            handler = getattr(self, f"_api_{name}", None)
            if handler is None:
                raise ApiError("Not Found: method not found", status=404)
            try:
                result = handler(params)
            except KeyError as missing:
                raise ApiError(f"Bad Request: parameter {missing} is required") from None
            status, body = 200, {"ok": True, "result": result}
        except ApiError as error:
            status = error.status
            body = {"ok": False, "error_code": error.status, "description": error.description}
            if error.retry_after is not None:
                body["parameters"] = {"retry_after": error.retry_after}
        response = self.check_response(bot=bot, method=method, status_code=status, content=json.dumps(body))
        return response.result  # type: ignore[return-value]

    # --- Bot API methods ---------------------------------------------------------------------------

    def _api_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    def _api_setMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands[params.get("language_code", "")] = params["commands"]
        return True

    def _api_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        return True

    def _api_setWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_deleteWebhook(self, params: dict[str, Any]) -> bool:
        return True

    def _api_sendChatAction(self, params: dict[str, Any]) -> bool:
        return True

    def _api_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        callback_id = str(params["callback_query_id"])
        if self._callbacks.get(callback_id, True):  # unknown or answered already
            raise ApiError(QUERY_TOO_OLD)
        self._callbacks[callback_id] = True
        return True

    def _api_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        if len(text) > 4096:
            raise ApiError("Bad Request: message is too long")
        chat = self.chat(int(params["chat_id"]))
        message = SimMessage(chat.new_id(), True, int(time.time()), text=text)
        self._apply_markup(chat, message, params.get("reply_markup"))
        chat.messages[message.message_id] = message
        self.events.append(("send", chat.id, message))
        return self.message_json(chat, message)

    def _api_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self.chat(int(params["chat_id"]))
        attached = params["document"]
        if not isinstance(attached, str) or not attached.startswith("attach://"):
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        filename, data = params[f"file:{attached.removeprefix('attach://')}"]
        file_id = f"doc{next(self._file_ids)}"
        self.files[file_id] = data
        message = SimMessage(
            chat.new_id(),
            True,
            int(time.time()),
            caption=params.get("caption"),
            document={
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": filename,
                "file_size": len(data),
            },
        )
        self._apply_markup(chat, message, params.get("reply_markup"))
        chat.messages[message.message_id] = message
        self.events.append(("send", chat.id, message))
        return self.message_json(chat, message)

    def _api_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        """An upload (``attach://``) gets a new file id; a known file id is sent again as it is."""
        chat = self.chat(int(params["chat_id"]))
        photo = params["photo"]
        if isinstance(photo, str) and photo.startswith("attach://"):
            _filename, data = params[f"file:{photo.removeprefix('attach://')}"]
            file_id = f"photo{next(self._file_ids)}"
            self.files[file_id] = data
        elif photo in self.files:
            file_id = photo
        else:
            raise ApiError("Bad Request: wrong file identifier/HTTP URL specified")
        size = {"file_id": file_id, "file_unique_id": file_id, "width": 320, "height": 320}
        message = SimMessage(
            chat.new_id(), True, int(time.time()), caption=params.get("caption"), photo=[size]
        )
        self._apply_markup(chat, message, params.get("reply_markup"))
        chat.messages[message.message_id] = message
        self.events.append(("send", chat.id, message))
        return self.message_json(chat, message)

    def _api_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard")
        text = params.get("text") or ""
        if not text.strip():
            raise ApiError("Bad Request: message text is empty")
        if text == message.text and keyboard == message.inline_keyboard:
            raise ApiError(NOT_MODIFIED)
        self._check_keyboard(keyboard)
        message.text, message.inline_keyboard = text, keyboard
        self.events.append(("edit", chat.id, message))
        return self.message_json(chat, message)

    def _api_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        chat, message = self._editable(params)
        keyboard = (params.get("reply_markup") or {}).get("inline_keyboard")
        if keyboard == message.inline_keyboard:
            raise ApiError(NOT_MODIFIED)
        self._check_keyboard(keyboard)
        message.inline_keyboard = keyboard
        self.events.append(("edit", chat.id, message))
        return self.message_json(chat, message)

    def _api_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self.chat(int(params["chat_id"]))
        message = chat.messages.pop(int(params["message_id"]), None)
        if message is None:
            raise ApiError("Bad Request: message to delete not found")
        self.events.append(("delete", chat.id, message))
        return True

    # --- helpers ---------------------------------------------------------------------------------------

    def _editable(self, params: dict[str, Any]) -> tuple[SimChat, SimMessage]:
        chat = self.chat(int(params["chat_id"]))
        message = chat.messages.get(int(params["message_id"]))
        if message is None:
            raise ApiError("Bad Request: message to edit not found")
        if not message.from_bot or (message.text is None and message.caption is None):
            raise ApiError("Bad Request: message can't be edited")
        return chat, message

    def _apply_markup(self, chat: SimChat, message: SimMessage, markup: dict[str, Any] | None) -> None:
        if not markup:
            return
        if "inline_keyboard" in markup:
            self._check_keyboard(markup["inline_keyboard"])
            message.inline_keyboard = markup["inline_keyboard"]
        elif "keyboard" in markup:
            chat.reply_keyboard = markup["keyboard"]
            chat.reply_keyboard_one_time = bool(markup.get("one_time_keyboard"))
        elif markup.get("remove_keyboard"):
            chat.reply_keyboard = None

    @staticmethod
    def _check_keyboard(keyboard: list[list[dict[str, Any]]] | None) -> None:
        for row in keyboard or []:
            for button in row:
                if not button.get("text"):
                    raise ApiError("Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    raise ApiError("Bad Request: BUTTON_DATA_INVALID")

    def message_json(self, chat: SimChat, message: SimMessage) -> dict[str, Any]:
        body: dict[str, Any] = {
            "message_id": message.message_id,
            "date": message.date,
            "chat": chat_json(chat),
        }
        if message.from_bot:
            body["from"] = self.bot_user
        if message.text is not None:
            body["text"] = message.text
        if message.caption is not None:
            body["caption"] = message.caption
        if message.document is not None:
            body["document"] = message.document
        if message.photo is not None:
            body["photo"] = message.photo
        if message.inline_keyboard:
            body["reply_markup"] = {"inline_keyboard": message.inline_keyboard}
        return body


def chat_json(chat: SimChat) -> dict[str, Any]:
    if chat.type == "private":
        return {"id": chat.id, "type": "private", "first_name": chat.first_name}
    return {"id": chat.id, "type": chat.type, "title": chat.first_name}


def _decode(value: Any) -> Any:
    """Form fields arrive as strings; JSON ones (markup, lists) are decoded like the server does."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


async def _read(file: InputFile, bot: Bot) -> bytes:
    if isinstance(file, BufferedInputFile):
        return file.data
    return b"".join([chunk async for chunk in file.read(bot)])


_update_ids = itertools.count(1)
_callback_ids = itertools.count(1)


class SimulatedUser:
    """A Telegram user in a private chat with the bot, acting through real updates."""

    def __init__(
        self,
        dp: Dispatcher,
        bot: Bot,
        telegram: TelegramSimulator,
        user_id: int,
        *,
        first_name: str = "Anna",
        language_code: str | None = "en",
        chat_id: int | None = None,
    ) -> None:
        """``chat_id``: a group the user writes in (e.g. the staff chat) instead of their private chat."""
        self.dp, self.bot, self.telegram = dp, bot, telegram
        self.user_id = user_id
        self.first_name = first_name
        self.language_code = language_code
        self.chat = telegram.chat(user_id if chat_id is None else chat_id, first_name)
        self.last_callback_id: str | None = None

    # --- what the user sees ------------------------------------------------------------------------

    def bot_messages(self) -> list[SimMessage]:
        return [m for m in self.chat.messages.values() if m.from_bot]

    def last_message(self) -> SimMessage:
        messages = self.bot_messages()
        if not messages:
            raise LookupError("the bot has not written anything")
        return messages[-1]

    @property
    def text(self) -> str:
        """The text of the bot's newest message (what the user reads first)."""
        message = self.last_message()
        return message.text or message.caption or ""

    def keyboard_message(self) -> SimMessage | None:
        for message in reversed(self.bot_messages()):
            if message.inline_keyboard:
                return message
        return None

    def buttons(self) -> list[str]:
        """Labels of the inline keyboard in view, else of the reply keyboard."""
        message = self.keyboard_message()
        rows = message.inline_keyboard if message else self.chat.reply_keyboard or []
        return [visible(button["text"]) for row in rows for button in row if visible(button["text"])]

    def documents(self) -> list[SimMessage]:
        return [m for m in self.bot_messages() if m.document]

    # --- what the user does -------------------------------------------------------------------------

    def _user(self) -> dict[str, Any]:
        user: dict[str, Any] = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        return user

    def _chat_json(self) -> dict[str, Any]:
        if self.chat.type == "private":
            return {"id": self.chat.id, "type": "private", "first_name": self.first_name}
        return chat_json(self.chat)

    async def feed(self, update: dict[str, Any]) -> Any:
        update = {"update_id": next(_update_ids), **update}
        return await self.dp.feed_update(self.bot, Update.model_validate(update, context={"bot": self.bot}))

    def _message(self, **content: Any) -> dict[str, Any]:
        message = SimMessage(
            self.chat.new_id(),
            False,
            int(time.time()),
            text=content.get("text"),
            contact=content.get("contact"),
        )
        self.chat.messages[message.message_id] = message
        return {
            "message_id": message.message_id,
            "date": message.date,
            "chat": self._chat_json(),
            "from": self._user(),
            **content,
        }

    async def send_text(self, text: str) -> Any:
        content: dict[str, Any] = {"text": text}
        if text.startswith("/"):
            command = text.split()[0]
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        return await self.feed({"message": self._message(**content)})

    async def share_contact(self, phone: str, *, user_id: int | None = None) -> Any:
        contact = {"phone_number": phone, "first_name": self.first_name, "user_id": user_id or self.user_id}
        return await self.feed({"message": self._message(contact=contact)})

    async def send_callback(self, data: str, message: SimMessage | None = None) -> str:
        """Press a button with this callback data (a real one, a stale one or a forged one)."""
        message = message or self.keyboard_message() or self.last_message()
        callback_id = f"cb{next(_callback_ids)}"
        self.telegram.register_callback(callback_id)
        self.last_callback_id = callback_id
        await self.feed(
            {
                "callback_query": {
                    "id": callback_id,
                    "from": self._user(),
                    "message": self.telegram.message_json(self.chat, message),
                    "chat_instance": f"ci{self.chat.id}",
                    "data": data,
                }
            }
        )
        return callback_id

    def find_button(self, label: str, message: SimMessage | None = None) -> tuple[str, dict[str, Any]]:
        """("inline" | "reply", button) for the label, searched like a person looks: the newest
        inline keyboard (or the given message's), then the reply keyboard."""
        inline = message or self.keyboard_message()
        for row in (inline.inline_keyboard if inline else None) or []:
            for button in row:
                if visible(button["text"]) == label:
                    return "inline", button
        if message is None:
            for row in self.chat.reply_keyboard or []:
                for button in row:
                    if visible(button["text"]) == label:
                        return "reply", button
        raise LookupError(f"no button {label!r}; the user sees {self.buttons()}")

    async def press(self, label: str, message: SimMessage | None = None) -> Any:
        kind, button = self.find_button(label, message)
        if kind == "inline":
            return await self.send_callback(button["callback_data"], message or self.keyboard_message())
        if self.chat.reply_keyboard_one_time:  # the app hides it once a button is pressed
            self.chat.reply_keyboard = None
        if button.get("request_contact"):
            return await self.share_contact(f"+49 151 {self.user_id % 10_000_000:07d}")
        return await self.send_text(button["text"])
