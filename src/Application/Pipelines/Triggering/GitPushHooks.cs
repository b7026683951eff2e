using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Cocktail.Domain.Pipelines;

namespace Cocktail.Application.Pipelines.Triggering;

/// <summary>
/// What a pipeline needs from one push: the ref (as branch or tag), the pushed head commit and when it was made,
/// where to clone from, who pushed and the head commit's message (at most 200 characters).
/// </summary>
public sealed record GitPush(GitProvider Provider, string Ref, string? Branch, string? Tag, string Commit, DateTimeOffset? CommittedAt,
    string? RepositoryUrl, string? Pusher, string? Message);

public enum GitHookOutcome
{
    /// <summary>A verified push of a commit: <see cref="GitHookReading.Push"/> is set.</summary>
    Push,
    /// <summary>Verified, but nothing to build (a ping, another event, a deleted branch).</summary>
    Ignored,
    /// <summary>The signature or token is missing or does not match; nothing of the body was read.</summary>
    Unauthorized,
    /// <summary>Verified, but the body is too large, not JSON, or lacks the ref or the commit.</summary>
    Invalid,
}

/// <summary>The reading of one delivery. <see cref="Message"/> says why it was not a push, and never holds the secret or
/// the signature presented.</summary>
public sealed record GitHookReading(GitHookOutcome Outcome, GitPush? Push, string? Message);

/// <summary>
/// Reads a push webhook from GitHub, GitLab or Gitea: verifies the delivery exactly as the provider signs it, before a
/// byte of the body is parsed, then reads only the few fields a pipeline needs, bounded in size and depth.
/// <list type="bullet">
/// <item>GitHub: <c>X-Hub-Signature-256: sha256=&lt;hex HMAC-SHA256(secret, body)&gt;</c>, event in <c>X-GitHub-Event</c>.</item>
/// <item>GitLab: <c>X-Gitlab-Token: &lt;secret&gt;</c> (no signature over the body), event in <c>X-Gitlab-Event</c>.</item>
/// <item>Gitea: <c>X-Gitea-Signature: &lt;hex HMAC-SHA256(secret, body)&gt;</c>, event in <c>X-Gitea-Event</c>. Gitea also sends
/// the same value as <c>X-Gogs-Signature</c> for Gogs receivers; only its own header is read.</item>
/// </list>
/// Pure: no I/O, no clock, no domain state. The endpoint should stop reading a body at <see cref="MaxBodyBytes"/> + 1.
/// </summary>
public static class GitPushHooks
{
    public const int MaxBodyBytes = 5 * 1024 * 1024;
    public const int MaxDepth = 64;
    public const int MaxMessageLength = 200;
    private const int MaxRefLength = 1024;
    private const int MaxTextLength = 2048;
    private const int Sha256HexLength = 64;

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = MaxDepth };

    public static string SignatureHeader(GitProvider p) => p switch
    {
        GitProvider.GitHub => "X-Hub-Signature-256",
        GitProvider.GitLab => "X-Gitlab-Token",
        GitProvider.Gitea => "X-Gitea-Signature",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "Unknown Git provider."),
    };

    public static string EventHeader(GitProvider p) => p switch
    {
        GitProvider.GitHub => "X-GitHub-Event",
        GitProvider.GitLab => "X-Gitlab-Event",
        GitProvider.Gitea => "X-Gitea-Event",
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, "Unknown Git provider."),
    };

    /// <summary>The value of <see cref="SignatureHeader"/> the provider would send for this body (GitLab sends the token itself).</summary>
    public static string Sign(GitProvider provider, string secret, ReadOnlySpan<byte> body) => provider switch
    {
        GitProvider.GitHub => "sha256=" + Convert.ToHexStringLower(Hmac(secret, body)),
        GitProvider.GitLab => secret,
        GitProvider.Gitea => Convert.ToHexStringLower(Hmac(secret, body)),
        _ => throw new ArgumentOutOfRangeException(nameof(provider), provider, "Unknown Git provider."),
    };

    /// <summary>Whether a branch passes a pipeline's branch filter (see <see cref="RefFilters"/>).</summary>
    public static bool BranchMatches(string filter, string branch) => RefFilters.Matches(filter, branch);

    /// <param name="headers">The request's headers; looked up case-insensitively whatever the dictionary's comparer.</param>
    public static GitHookReading Read(GitProvider provider, string secret, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body)
    {
        var refusal = Verify(provider, secret, headers, body);
        if (refusal is not null) return new GitHookReading(GitHookOutcome.Unauthorized, null, refusal);

        var eventName = Header(headers, EventHeader(provider))?.Trim();
        if (string.IsNullOrEmpty(eventName))
            return Invalid($"The {EventHeader(provider)} header is missing: it says which event the delivery is.");
        if (!IsPush(provider, eventName))
            return Ignored(provider == GitProvider.GitHub && eventName == "ping"
                ? "GitHub pinged the hook: it is reachable and signed correctly; pushes will start pipelines."
                : $"Only push events start pipelines; this delivery is a '{Truncate(eventName, 64)}' event.");

        if (body.Length > MaxBodyBytes) return Invalid("The body must be at most 5 MiB.");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray(), JsonOptions);
        }
        catch (JsonException e)
        {
            return Invalid($"The body is not valid JSON: {e.Message}");
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object) return Invalid("The body must be a JSON object.");
            return ReadPush(provider, document.RootElement);
        }
    }

    private static bool IsPush(GitProvider provider, string eventName) => provider switch
    {
        GitProvider.GitHub => eventName == "push",
        GitProvider.GitLab => eventName is "Push Hook" or "Tag Push Hook",
        GitProvider.Gitea => eventName == "push",
        _ => false,
    };

    // --- Verification -------------------------------------------------------------------------------------------

    /// <summary>Null when the delivery is signed with <paramref name="secret"/>, else why not (naming the header, never its value).</summary>
    private static string? Verify(GitProvider provider, string secret, IReadOnlyDictionary<string, string> headers, ReadOnlySpan<byte> body)
    {
        var header = SignatureHeader(provider);
        if (string.IsNullOrEmpty(secret)) return "This hook has no secret, so it accepts no delivery.";
        var presented = Header(headers, header)?.Trim();
        if (string.IsNullOrEmpty(presented)) return $"The {header} header is missing: {HowToSign(provider)}";
        var matches = provider switch
        {
            GitProvider.GitHub => presented.StartsWith("sha256=", StringComparison.Ordinal) && HmacMatches(secret, body, presented.AsSpan("sha256=".Length)),
            GitProvider.GitLab => TokenMatches(secret, presented),
            GitProvider.Gitea => HmacMatches(secret, body, presented),
            _ => false,
        };
        return matches ? null : $"The {header} header does not match this hook's secret: {HowToSign(provider)}";
    }

    private static string HowToSign(GitProvider provider) => provider switch
    {
        GitProvider.GitHub => "set the hook's secret in GitHub, which sends X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>.",
        GitProvider.GitLab => "set the hook's secret token in GitLab, which sends it as X-Gitlab-Token.",
        _ => "set the hook's secret in Gitea, which sends X-Gitea-Signature: <hex HMAC-SHA256 of the body>.",
    };

    private static byte[] Hmac(string secret, ReadOnlySpan<byte> body) => HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body);

    private static bool HmacMatches(string secret, ReadOnlySpan<byte> body, ReadOnlySpan<char> hex)
    {
        if (hex.Length != Sha256HexLength) return false;
        Span<byte> presented = stackalloc byte[Sha256HexLength / 2];
        if (Convert.FromHexString(hex, presented, out _, out var written) != OperationStatus.Done || written != presented.Length) return false;
        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body, expected);
        return CryptographicOperations.FixedTimeEquals(expected, presented);
    }

    // Hashing both first makes the comparison constant-time whatever the lengths.
    private static bool TokenMatches(string secret, string presented) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(secret)), SHA256.HashData(Encoding.UTF8.GetBytes(presented)));

    private static string? Header(IReadOnlyDictionary<string, string> headers, string name)
    {
        if (headers.TryGetValue(name, out var value)) return value;
        foreach (var (key, candidate) in headers)
            if (string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) return candidate;
        return null;
    }

    // --- Reading ------------------------------------------------------------------------------------------------

    private static GitHookReading ReadPush(GitProvider provider, JsonElement root)
    {
        var gitRef = Text(root, "ref");
        if (string.IsNullOrEmpty(gitRef)) return Invalid("The push has no 'ref'.");
        if (gitRef.Length > MaxRefLength || gitRef.Any(char.IsControl)) return Invalid($"The push's 'ref' must be at most {MaxRefLength} printable characters.");

        var after = Text(root, "after");
        if (Bool(root, "deleted") == true || (after is not null && IsZeroSha(after)))
            return Ignored($"The push deleted {gitRef} ({(gitRef.StartsWith("refs/tags/", StringComparison.Ordinal) ? "tag" : "branch")} deleted): nothing to build.");

        var commit = provider == GitProvider.GitLab ? Text(root, "checkout_sha") ?? after : after;
        if (string.IsNullOrEmpty(commit)) return Invalid(provider == GitProvider.GitLab ? "The push has no 'checkout_sha' or 'after' commit." : "The push has no 'after' commit.");
        if (!IsSha(commit)) return Invalid("The pushed commit must be a 40 or 64 character hexadecimal id.");

        var head = HeadCommit(provider, root, commit);
        var push = new GitPush(provider, gitRef,
            Branch: After(gitRef, "refs/heads/"),
            Tag: After(gitRef, "refs/tags/"),
            Commit: commit,
            CommittedAt: head is { } h ? Timestamp(h, "timestamp") : null,
            RepositoryUrl: RepositoryUrl(provider, root),
            Pusher: Pusher(provider, root),
            Message: head is { } m ? Truncate(Text(m, "message"), MaxMessageLength) : null);
        return new GitHookReading(GitHookOutcome.Push, push, null);
    }

    private static JsonElement? HeadCommit(GitProvider provider, JsonElement root, string commit) => provider switch
    {
        GitProvider.GitHub => Object(root, "head_commit"),
        GitProvider.GitLab => CommitIn(root, commit),
        _ => Object(root, "head_commit") ?? CommitIn(root, commit),
    };

    private static JsonElement? CommitIn(JsonElement root, string id)
    {
        if (!root.TryGetProperty("commits", out var commits) || commits.ValueKind != JsonValueKind.Array) return null;
        foreach (var commit in commits.EnumerateArray())
            if (commit.ValueKind == JsonValueKind.Object && string.Equals(Text(commit, "id"), id, StringComparison.OrdinalIgnoreCase))
                return commit;
        return null;
    }

    private static string? RepositoryUrl(GitProvider provider, JsonElement root) => Truncate(provider switch
    {
        GitProvider.GitLab => Text(Object(root, "project"), "git_http_url") ?? Text(Object(root, "repository"), "git_http_url"),
        _ => Text(Object(root, "repository"), "clone_url"),
    }, MaxTextLength);

    private static string? Pusher(GitProvider provider, JsonElement root) => Truncate(provider switch
    {
        GitProvider.GitHub => Text(Object(root, "pusher"), "name"),
        GitProvider.GitLab => Text(root, "user_username"),
        _ => Text(Object(root, "pusher"), "login") ?? Text(Object(root, "pusher"), "username"),
    }, MaxTextLength);

    private static string? After(string gitRef, string prefix) =>
        gitRef.StartsWith(prefix, StringComparison.Ordinal) && gitRef.Length > prefix.Length ? gitRef[prefix.Length..] : null;

    private static bool IsZeroSha(string sha) => sha.Length is 40 or 64 && sha.All(c => c == '0');

    private static bool IsSha(string sha) => sha.Length is 40 or 64 && sha.All(char.IsAsciiHexDigit);

    private static JsonElement? Object(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Object ? value : null;

    private static string? Text(JsonElement? parent, string name) =>
        parent is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool? Bool(JsonElement parent, string name) =>
        parent.TryGetProperty(name, out var value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    private static DateTimeOffset? Timestamp(JsonElement parent, string name)
    {
        if (!parent.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        if (value.TryGetDateTimeOffset(out var at)) return at;
        // GitLab has sent "2011-12-12 14:27:31 +0200" in older payloads.
        return DateTimeOffset.TryParse(value.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out at) ? at : null;
    }

    /// <summary>At most <paramref name="max"/> characters, never splitting a surrogate pair.</summary>
    private static string? Truncate(string? text, int max)
    {
        if (text is null || text.Length <= max) return text;
        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..cut];
    }

    private static GitHookReading Invalid(string message) => new(GitHookOutcome.Invalid, null, message);

    private static GitHookReading Ignored(string message) => new(GitHookOutcome.Ignored, null, message);
}
