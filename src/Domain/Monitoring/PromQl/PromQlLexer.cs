using System.Globalization;
using System.Text;

namespace Cocktail.Domain.Monitoring.PromQl;

internal enum TokenKind
{
    Identifier,
    Number,
    Duration,
    String,
    Operator,
    LeftParen,
    RightParen,
    LeftBrace,
    RightBrace,
    LeftBracket,
    RightBracket,
    Comma,
    Colon,
    At,
    End,
}

internal readonly record struct Token(TokenKind Kind, string Text, int Position);

/// <summary>Splits PromQL into tokens. Strings are returned decoded (Go's quoting rules, as Prometheus uses).</summary>
internal static class PromQlLexer
{
    public static List<Token> Tokenize(string text, int maxTokens)
    {
        var tokens = new List<Token>();
        var i = 0;
        while (true)
        {
            while (i < text.Length && (char.IsWhiteSpace(text[i]) || text[i] == '#'))
            {
                if (text[i] == '#') while (i < text.Length && text[i] != '\n') i++;
                else i++;
            }
            if (i >= text.Length)
            {
                tokens.Add(new Token(TokenKind.End, "", i));
                return tokens;
            }
            if (tokens.Count >= maxTokens) throw new PromQlSyntaxException($"the expression is longer than {maxTokens} tokens", i);
            tokens.Add(Next(text, ref i));
        }
    }

    private static Token Next(string text, ref int i)
    {
        var start = i;
        var c = text[i];
        switch (c)
        {
            case '(': i++; return new Token(TokenKind.LeftParen, "(", start);
            case ')': i++; return new Token(TokenKind.RightParen, ")", start);
            case '{': i++; return new Token(TokenKind.LeftBrace, "{", start);
            case '}': i++; return new Token(TokenKind.RightBrace, "}", start);
            case '[': i++; return new Token(TokenKind.LeftBracket, "[", start);
            case ']': i++; return new Token(TokenKind.RightBracket, "]", start);
            case ',': i++; return new Token(TokenKind.Comma, ",", start);
            case '@': i++; return new Token(TokenKind.At, "@", start);
            case '"' or '\'' or '`': return new Token(TokenKind.String, ReadString(text, ref i), start);
        }
        if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < text.Length && char.IsAsciiDigit(text[i + 1])))
            return ReadNumberOrDuration(text, ref i);
        if (char.IsAsciiLetter(c) || c == '_' || c == ':')
        {
            // Inside a selector or grouping, ':' alone would be a subquery colon; identifiers may hold colons (recording rules).
            if (c == ':') { i++; return new Token(TokenKind.Colon, ":", start); }
            while (i < text.Length && (char.IsAsciiLetterOrDigit(text[i]) || text[i] is '_' or ':')) i++;
            return new Token(TokenKind.Identifier, text[start..i], start);
        }
        foreach (var op in Operators)
        {
            if (string.CompareOrdinal(text, i, op, 0, op.Length) == 0)
            {
                i += op.Length;
                return new Token(TokenKind.Operator, op, start);
            }
        }
        throw new PromQlSyntaxException($"unexpected character '{c}'", start);
    }

    // Longest first, so "==" is not read as "=" "=".
    private static readonly string[] Operators = ["==", "!=", ">=", "<=", "=~", "!~", "+", "-", "*", "/", "%", "^", "=", ">", "<"];

    private static Token ReadNumberOrDuration(string text, ref int i)
    {
        var start = i;
        if (text[i] == '0' && i + 1 < text.Length && text[i + 1] is 'x' or 'X')
        {
            i += 2;
            while (i < text.Length && char.IsAsciiHexDigit(text[i])) i++;
            return new Token(TokenKind.Number, text[start..i], start);
        }
        while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        if (i < text.Length && IsDurationUnitStart(text, i))
        {
            // 1h30m: digits and units repeat.
            while (i < text.Length && char.IsAsciiDigit(text[i]) || i < text.Length && IsDurationUnitStart(text, i))
            {
                if (char.IsAsciiDigit(text[i])) i++;
                else i += text[i] == 'm' && i + 1 < text.Length && text[i + 1] == 's' ? 2 : 1;
            }
            return new Token(TokenKind.Duration, text[start..i], start);
        }
        if (i < text.Length && text[i] == '.')
        {
            i++;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
        }
        if (i < text.Length && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < text.Length && text[j] is '+' or '-') j++;
            if (j < text.Length && char.IsAsciiDigit(text[j]))
            {
                i = j;
                while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            }
        }
        if (i < text.Length && (char.IsAsciiLetter(text[i]) || text[i] == '_'))
            throw new PromQlSyntaxException($"bad number or duration \"{text[start..(i + 1)]}\"", start);
        return new Token(TokenKind.Number, text[start..i], start);
    }

    private static bool IsDurationUnitStart(string text, int i) =>
        text[i] is 's' or 'm' or 'h' or 'd' or 'w' or 'y'
        && (i + 1 >= text.Length || !char.IsAsciiLetterOrDigit(text[i + 1]) || (text[i] == 'm' && text[i + 1] == 's') || char.IsAsciiDigit(text[i + 1]));

    private static string ReadString(string text, ref int i)
    {
        var start = i;
        var quote = text[i++];
        var b = new StringBuilder();
        while (true)
        {
            if (i >= text.Length) throw new PromQlSyntaxException("unterminated quoted string", start);
            var c = text[i++];
            if (c == quote) return b.ToString();
            if (quote == '`')
            {
                b.Append(c);
                continue;
            }
            if (c == '\n') throw new PromQlSyntaxException("unterminated quoted string", start);
            if (c != '\\')
            {
                b.Append(c);
                continue;
            }
            if (i >= text.Length) throw new PromQlSyntaxException("unterminated quoted string", start);
            var e = text[i++];
            switch (e)
            {
                case 'a': b.Append('\a'); break;
                case 'b': b.Append('\b'); break;
                case 'f': b.Append('\f'); break;
                case 'n': b.Append('\n'); break;
                case 'r': b.Append('\r'); break;
                case 't': b.Append('\t'); break;
                case 'v': b.Append('\v'); break;
                case '\\': b.Append('\\'); break;
                case '"' or '\'': b.Append(e); break;
                case 'x': b.Append((char)Hex(text, ref i, 2, start)); break;
                case 'u': b.Append(char.ConvertFromUtf32(Hex(text, ref i, 4, start))); break;
                case 'U': b.Append(char.ConvertFromUtf32(Hex(text, ref i, 8, start))); break;
                case >= '0' and <= '7':
                    if (i + 2 > text.Length) throw new PromQlSyntaxException("bad escape in string", start);
                    b.Append((char)Convert.ToInt32(text.Substring(i - 1, 3), 8));
                    i += 2;
                    break;
                default: throw new PromQlSyntaxException($"unknown escape sequence \\{e} in string", start);
            }
        }
    }

    private static int Hex(string text, ref int i, int digits, int start)
    {
        if (i + digits > text.Length || !int.TryParse(text.AsSpan(i, digits), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var value)
            || value > 0x10FFFF || value is >= 0xD800 and <= 0xDFFF)
            throw new PromQlSyntaxException("bad escape in string", start);
        i += digits;
        return value;
    }
}

/// <summary>A PromQL expression that does not parse; <see cref="Position"/> is the character offset.</summary>
public sealed class PromQlSyntaxException(string reason, int position) : Exception($"{reason} (at character {position + 1})")
{
    public int Position { get; } = position;
}
