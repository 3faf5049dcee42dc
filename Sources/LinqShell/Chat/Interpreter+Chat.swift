import LinqCore
import LinqJSON

/// Entering and leaving chat mode.
extension Interpreter {
    /// Leaves chat mode: stops its receiver and deletes its subscription; `$chat` keeps the
    /// chat's id. Nothing when chat mode is off.
    func leaveChat() {
        guard let chat else { return }
        self.chat = nil
        if let listener = chat.listener { stop(listener) }
        chat.poller?.stop()
        Blocking.drain()
        if !chat.chatID.isEmpty { session.variables["chat"] = .string(chat.chatID) }
        let count = chat.entries.count
        let where_ = chat.chatID.isEmpty ? "no chat was started" : "its id is in $chat"
        output.writeErr(
            errorRenderer.dim("left the chat (\(count) message\(count == 1 ? "" : "s") here; \(where_))") + "\n")
    }
}
