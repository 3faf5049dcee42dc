import CLibEdit

#if canImport(Glibc)
    import Glibc
#endif

/// Keys that only the editor itself sends (pushed with `el_wpush` or returned by the character
/// reader): C1 control characters, which a keyboard does not produce, bound to internal steps.
enum PrivateKey: UInt32 {
    /// Redraw the line (and the right prompt).
    case refresh = 0x9F
    /// libedit's `ed-newline`: accept the line.
    case newline = 0x9E
    /// The second half of Ctrl-C, after the cursor was moved past the line.
    case interrupt = 0x9D
    /// The second half of Ctrl-X Ctrl-E, after the cursor was moved past the line.
    case externalEditor = 0x9C
    /// The second half of a listing TAB, after the cursor was moved past the line.
    case listing = 0x9B
    /// Print the lines that arrived from another thread above the line (after moving past it).
    case notice = 0x9A

    /// The key as a one-character string for `el_set(EL_BIND)`.
    var binding: String { String(Character(Unicode.Scalar(rawValue)!)) }
}

extension LineEditor {
    /// Binds the keys: Ctrl-C, Ctrl-Z, TAB, Ctrl-R, Enter, bracketed paste, Ctrl-X Ctrl-E, and the
    /// private keys.
    func bindKeys() {
        let el = editLine
        swel_addfn(el, "linq-interrupt", "Discard the line", interruptCallback)
        swel_bind(el, "^C", "linq-interrupt")
        swel_addfn(el, "linq-interrupt-end", "Discard the line (after moving past it)", interruptEndCallback)
        swel_bind(el, PrivateKey.interrupt.binding, "linq-interrupt-end")
        // -isig also disables ^Z: re-create it.
        swel_addfn(el, "linq-suspend", "Suspend", suspendCallback)
        swel_bind(el, "^Z", "linq-suspend")
        swel_addfn(el, "linq-complete", "Complete the word", completeCallback)
        swel_bind(el, "^I", "linq-complete")
        swel_addfn(el, "linq-list", "List completions (after moving past the line)", listingCallback)
        swel_bind(el, PrivateKey.listing.binding, "linq-list")
        swel_bind(el, "^R", "em-inc-search-prev")
        swel_addfn(el, "linq-accept", "Accept the line", acceptCallback)
        swel_bind(el, "^M", "linq-accept")
        swel_bind(el, "^J", "linq-accept")
        swel_bind(el, PrivateKey.newline.binding, "ed-newline")
        swel_addfn(el, "linq-refresh", "Redraw the line", refreshCallback)
        swel_bind(el, PrivateKey.refresh.binding, "linq-refresh")
        swel_addfn(el, "linq-notice", "Print notices above the line", noticeCallback)
        swel_bind(el, PrivateKey.notice.binding, "linq-notice")
        swel_addfn(el, "linq-paste", "Insert a bracketed paste", pasteCallback)
        swel_bind(el, "\u{1B}[200~", "linq-paste")
        swel_addfn(el, "linq-edit", "Edit the line in $VISUAL or $EDITOR", externalEditorCallback)
        swel_bind(el, "^X^E", "linq-edit")
        swel_addfn(el, "linq-edit-run", "Edit the line (after moving past it)", externalEditorRunCallback)
        swel_bind(el, PrivateKey.externalEditor.binding, "linq-edit-run")
    }

    /// Moves the cursor to the end of the line, then has libedit redraw (which puts the terminal's
    /// cursor after the last row of the line) and run `next`. Output printed by `next` thus starts
    /// below the whole line, even when the cursor was on an earlier row of a wrapped line.
    func moveBelowLine(then next: PrivateKey) -> UInt8 {
        let after = charactersAroundCursor().after
        if after > 0 { el_cursor(editLine, after) }
        push([.refresh, next])
        return UInt8(CC_NORM)
    }

    /// Queues private keys for libedit to read next.
    func push(_ keys: [PrivateKey]) {
        var text = keys.map { wchar_t(bitPattern: $0.rawValue) }
        text.append(0)
        el_wpush(editLine, text)
    }
}

private let interruptCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_EOF) }
    editor.interrupted = true
    editor.hintSuppressed = true
    return editor.moveBelowLine(then: .interrupt)
}

private let interruptEndCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    editor(el)?.interrupted = true
    fputs("^C\n", swel_stdout())
    return UInt8(CC_EOF)
}

/// Enter: clears the hint first (so it does not stay in the scrollback), then accepts.
private let acceptCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    editor.hintSuppressed = true
    editor.push(editor.shownHint.isEmpty ? [.newline] : [.refresh, .newline])
    return UInt8(CC_NORM)
}

private let refreshCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { _, _ in
    UInt8(CC_REFRESH)
}

private let suspendCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    // Give the terminal back as it was while stopped, and take the editing mode again after.
    var editing = termios()
    let saved = tcgetattr(0, &editing) == 0
    Terminal.restore()
    kill(getpid(), SIGTSTP)
    if saved { tcsetattr(0, TCSADRAIN, &editing) }
    Terminal.setBracketedPaste(true)
    if let el { el_resize(el) }
    return UInt8(CC_REDISPLAY)
}

private let completeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.complete()
}

private let listingCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.printPendingListing()
}

private let pasteCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.insertPaste()
}

private let externalEditorCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.moveBelowLine(then: .externalEditor)
}

private let externalEditorRunCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_ERROR) }
    return editor.editInExternalEditor()
}

private let noticeCallback: @convention(c) (OpaquePointer?, Int32) -> UInt8 = { el, _ in
    guard let editor = editor(el) else { return UInt8(CC_NORM) }
    return editor.printNotices()
}
