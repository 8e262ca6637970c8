import Foundation

/// Splits a SQL script into statements at top-level semicolons, leaving semicolons inside quotes, quoted
/// identifiers, comments and dollar-quoted bodies alone. PostgreSQL's extended protocol (which postgres-nio
/// speaks) takes one statement per query, so migrations run statement by statement.
package enum SQLStatementSplitter {
    /// The statements of `script`, trimmed, without empty ones and without the final semicolons.
    package static func split(_ script: String) -> [String] {
        let characters = Array(script)
        var statements: [String] = []
        var current = ""
        var index = 0

        func flush() {
            let trimmed = current.trimmingCharacters(in: .whitespacesAndNewlines)
            if !trimmed.isEmpty, !isOnlyComments(trimmed) { statements.append(trimmed) }
            current = ""
        }

        while index < characters.count {
            let character = characters[index]
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case "-" where next == "-":
                let end = characters[index...].firstIndex(of: "\n") ?? characters.count
                current += String(characters[index..<end])
                index = end
            case "/" where next == "*":
                var depth = 0
                var cursor = index
                repeat {
                    if characters[cursor] == "/", cursor + 1 < characters.count, characters[cursor + 1] == "*" {
                        depth += 1
                        cursor += 2
                    } else if characters[cursor] == "*", cursor + 1 < characters.count, characters[cursor + 1] == "/" {
                        depth -= 1
                        cursor += 2
                    } else {
                        cursor += 1
                    }
                } while depth > 0 && cursor < characters.count
                current += String(characters[index..<cursor])
                index = cursor
            case "'", "\"":
                var cursor = index + 1
                while cursor < characters.count {
                    if characters[cursor] == character {
                        // A doubled quote is an escaped quote inside the literal.
                        if cursor + 1 < characters.count, characters[cursor + 1] == character { cursor += 2; continue }
                        break
                    }
                    cursor += 1
                }
                let end = min(cursor + 1, characters.count)
                current += String(characters[index..<end])
                index = end
            case "$":
                if let tagEnd = dollarTagEnd(characters, from: index) {
                    let tag = Array(characters[index...tagEnd])
                    var cursor = tagEnd + 1
                    var closed = false
                    while cursor + tag.count <= characters.count {
                        if Array(characters[cursor..<(cursor + tag.count)]) == tag { closed = true; break }
                        cursor += 1
                    }
                    let end = closed ? cursor + tag.count : characters.count
                    current += String(characters[index..<end])
                    index = end
                } else {
                    current.append(character)
                    index += 1
                }
            case ";":
                flush()
                index += 1
            default:
                current.append(character)
                index += 1
            }
        }
        flush()
        return statements
    }

    /// The index of the closing `$` of a dollar-quote tag (`$$` or `$name$`) starting at `start`, if it is one.
    private static func dollarTagEnd(_ characters: [Character], from start: Int) -> Int? {
        var cursor = start + 1
        while cursor < characters.count {
            let character = characters[cursor]
            if character == "$" { return cursor }
            guard character.isLetter || character == "_" || (character.isNumber && cursor > start + 1) else { return nil }
            cursor += 1
        }
        return nil
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingCharacters(in: .whitespaces).hasPrefix("--") || $0.trimmingCharacters(in: .whitespaces).isEmpty }
    }
}
