extension HelpTopics {
    /// `help chat-bot`: the rule file of `chat open … --peer bot --rules FILE`.
    static let chatBot = """
        chat open CHAT --peer bot --rules FILE: the emulated contact answers from rules.

        One rule per line, PATTERN → ACTIONS (-> works too); # starts a comment. The first rule
        whose pattern matches your whole message answers (case-insensitive; * is any text, ? one
        character); no match, no answer. The contact always reads your message first. Actions,
        separated by ;
          react TYPE [EMOJI]   love, like, dislike, laugh, emphasize, question, or custom 🎉
          delay 2s             wait (or 500ms; at most 60s) before the next action
          typing               show the typing indicator (a reply shows it anyway)
          reply TEXT           answer (any other text answers too; $text is your message)

        Example (rules.bot):
          # greetings first, then anything about prices
          hello*    → Hi! How can I help?
          *price*   → typing; delay 1s; It is $5 a month
          *thanks*  → react love
          *         → Sorry, I only know about prices.

        In a script, /expect TEXT waits for their answer:
          chat open 7b3c3a10-0001-4c2e-9a51-000000000001 --peer bot --rules rules.bot
          what is the price?
          /expect It is $5 a month
          /exit
        """
}
