"""python-telegram-bot (the Python library the Bot API's own list of libraries leads with) against the
sandbox's Bot API.

Usage: telegram_py.py BOT_API_BASE_URL BOT_TOKEN CHAT_ID. The chat exists on the sandbox, with the bot as
an administrator and one message from a person in it. Exits non-zero, naming the call, when the sandbox
answers in a way the library cannot use.
"""
import asyncio
import base64
import sys

from telegram import Bot, InputMediaPhoto, ReplyParameters
from telegram.error import BadRequest, InvalidToken

base, token, chat_id = sys.argv[1], sys.argv[2], int(sys.argv[3])
png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


def check(condition, message):
    if not condition:
        print(f"FAILED: {message}")
        sys.exit(1)


async def main():
    async with Bot(token, base_url=f"{base}/bot") as bot:
        check(bot.username, "getMe names the bot")
        updates = await bot.get_updates(allowed_updates=["message", "channel_post"])
        check(len(updates) == 1 and updates[0].effective_message.text == "/connect hello", f"getUpdates returns the person's message: {updates}")
        check(await bot.get_updates(offset=updates[0].update_id + 1) == (), "an offset confirms the updates before it")
        chat = await bot.get_chat(chat_id)
        check(chat.id == chat_id and chat.title, f"getChat: {chat}")
        member = await bot.get_chat_member(chat_id, bot.id)
        check(member.status == "administrator", f"getChatMember: {member}")

        sent = await bot.send_message(chat_id, "Hello from python-telegram-bot")
        check(sent.text == "Hello from python-telegram-bot", "sendMessage returns the message")
        reply = await bot.send_message(chat_id, "A reply", reply_parameters=ReplyParameters(sent.message_id))
        check(reply.reply_to_message and reply.reply_to_message.message_id == sent.message_id, "a reply names its message")
        photo = await bot.send_photo(chat_id, png, caption="A dot")
        check(photo.photo and photo.caption == "A dot", "sendPhoto returns the photo with its caption")
        album = await bot.send_media_group(chat_id, [InputMediaPhoto(png, caption="First"), InputMediaPhoto(png)])
        check(len(album) == 2 and album[0].media_group_id == album[1].media_group_id, "sendMediaGroup returns one message per photo")

        check(await bot.delete_message(chat_id, reply.message_id), "deleteMessage")
        check(await bot.delete_messages(chat_id, [sent.message_id, photo.message_id]), "deleteMessages")
        try:
            await bot.delete_message(chat_id, reply.message_id)
            check(False, "deleting a deleted message is refused")
        except BadRequest as error:
            check("not found" in error.message, f"the refusal says why: {error.message}")
        try:
            await bot.send_message(chat_id, "x" * 4097)
            check(False, "a text over 4,096 characters is refused")
        except BadRequest as error:
            check("too long" in error.message, error.message)

    try:
        async with Bot(token.split(":")[0] + ":wrong", base_url=f"{base}/bot") as bad:
            await bad.get_me()
        check(False, "a wrong token is refused")
    except InvalidToken:
        pass
    print("ok")


asyncio.run(main())
