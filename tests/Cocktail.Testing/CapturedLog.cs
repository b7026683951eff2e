using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Cocktail.Testing;

/// <summary>
/// Every line a test host logs, down to Debug and with its exception in full, kept so that tests can look for what
/// must never be written there (passwords, tokens, kubeconfigs). Each <see cref="CocktailApp"/> has one and, when the
/// host stops, checks it against every secret the test run used (<see cref="TestSecrets"/>).
/// </summary>
public sealed class CapturedLog : ILoggerProvider
{
    // The newest lines (a long run logs millions); a line is checked when it is dropped, so none escapes the scan.
    private const int Kept = 200_000;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentQueue<string> _leaks = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IReadOnlyList<string> Lines => _lines.ToArray();

    /// <summary>The lines that contain one of the given secrets (none, if all is well).</summary>
    public IReadOnlyList<string> LinesContainingAny(IEnumerable<string> secrets)
    {
        var list = secrets.Where(s => s.Length > 0).Distinct().ToArray();
        return _lines.Where(line => list.Any(s => line.Contains(s, StringComparison.Ordinal))).ToArray();
    }

    /// <summary>Lines with a secret, whether still kept or found when written.</summary>
    public IReadOnlyList<string> Leaks(IEnumerable<string> secrets) => _leaks.Concat(LinesContainingAny(secrets)).Distinct().ToArray();

    private void Add(string line)
    {
        _lines.Enqueue(line);
        while (_lines.Count > Kept && _lines.TryDequeue(out var dropped))
            if (TestSecrets.All.Any(secret => dropped.Contains(secret, StringComparison.Ordinal))) _leaks.Enqueue(dropped);
    }

    public void Dispose() { }

    private sealed class Logger(CapturedLog log, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Debug;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            var line = new StringBuilder().Append(logLevel).Append(' ').Append(category).Append(": ").Append(formatter(state, exception));
            // Structured state as well: a provider that writes JSON (or OpenTelemetry) sends the raw values too.
            if (state is IEnumerable<KeyValuePair<string, object?>> values)
                foreach (var (key, value) in values) line.Append(" | ").Append(key).Append('=').Append(value);
            if (exception is not null) line.AppendLine().Append(exception);
            log.Add(line.ToString());
        }
    }
}

/// <summary>The passwords, tokens and kubeconfig credentials tests hand to Cocktail, which no log may ever contain.</summary>
public static class TestSecrets
{
    private static readonly object Gate = new();
    // A copy per change, read without a lock by every log line of every host.
    private static volatile string[] _known =
    [
        CocktailApp.AdminPassword,
        // The password tests write out literally when they register users through the API.
        "a-long-enough-password",
    ];

    public static string Remember(string secret)
    {
        if (secret.Length < 8) return secret;
        lock (Gate)
            if (!_known.Contains(secret)) _known = [.. _known, secret];
        return secret;
    }

    public static IReadOnlyCollection<string> All => _known;
}
