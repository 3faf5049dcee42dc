extension HelpTopics {
    /// `help filters` (also `help output`, `help pager`): the formats, the filter language, columns
    /// and the pager. The README's "Output formats and filters" says the same.
    static let filters = """
        Output formats and filters

        --output FORMAT on any command that prints a response (or set output FORMAT):
          pretty   indented JSON, coloured on a terminal (the default)
          json     compact JSON on one line
          jsonl    one compact JSON value per line: a list's items (chats, messages,
                   contact_cards, …), else the body
          yaml     YAML 1.2, members in order; strings that YAML would read as something
                   else (yes, null, 1e3, +1555…, dates, "a: b") are quoted, text of several
                   lines is a literal block (|)
          table    a list as aligned columns under a header: the items' scalar members,
                   fitted to the terminal (long ids shortened, columns that do not fit
                   left out and named on stderr); --columns id,display_name,health_status.status
                   picks them (a path per column; --columns implies --output table)
          raw      the body as received; with --filter, text values unquoted (like jq -r)
          quiet    no bodies
        An API error's envelope goes to stdout with json, jsonl, yaml and raw, so a pipeline
        sees it in the format it reads; the error block goes to stderr as always.

        --filter 'FILTER' picks what prints, in a small subset of jq:
          .                  the whole body
          .name  ."a-b"      a member (null when it is not there)
          .[N]  .a[0]  .[-1] an element (negative: from the end)
          .[]  .chats[]      every element (or every member's value): several results
          A | B              B on each result of A
          select(COND)       the input, when COND holds
          map(F)             [each element through F]
          length  keys  keys_unsorted  not
          ==  !=  <  <=  >  >=   compare numbers, strings, true, false, null (jq's order)
          and  or            combine conditions
          "text"  12  true  false  null    values
        Each result prints on its own in the format: one line each for json and jsonl,
        YAML documents between ---, a table's rows. With --all the filter runs on each
        item. A filter that finds nothing says so on stderr (and why, for a missing
        member). A filter is checked before anything is sent: a mistake is a usage error
        naming its column. --filter works on API commands, last, more, request, replay
        and inspect (on the whole exchange); --pick PATH still prints one part.

        Examples:
          chat list --filter '.chats[].id'
          chat list --filter '.chats[] | select(.is_group == false) | .display_name' --output raw
          chat list --output table --columns id,display_name,service
          message list CHAT --filter '.messages | map(.delivery_status)' --output json
          chat list --all --output jsonl | wc -l
          card get --output yaml
          last --filter '.chats | length'

        The pager: long output at the prompt (or from a one-shot linq COMMAND) goes through
        $PAGER (default less -FRX) when it does not fit the terminal — never in scripts, in
        pipes (|) or redirects (>), or when stdout is not a terminal. set pager off turns it
        off; a pager that is not installed means plain output.
        """
}
