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
    private readonly ConcurrentQueue<string> _lines = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public IReadOnlyList<string> Lines => _lines.ToArray();

    /// <summary>The lines that contain one of the given secrets (none, if all is well).</summary>
    public IReadOnlyList<string> LinesContainingAny(IEnumerable<string> secrets)
    {
        var list = secrets.Where(s => s.Length > 0).Distinct().ToArray();
        return _lines.Where(line => list.Any(s => line.Contains(s, StringComparison.Ordinal))).ToArray();
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
            log._lines.Enqueue(line.ToString());
        }
    }
}

/// <summary>The passwords, tokens and kubeconfig credentials tests hand to Cocktail, which no log may ever contain.</summary>
public static class TestSecrets
{
    private static readonly ConcurrentDictionary<string, byte> Known = new()
    {
        [CocktailApp.AdminPassword] = 0,
        // The password tests write out literally when they register users through the API.
        ["a-long-enough-password"] = 0,
    };

    public static string Remember(string secret)
    {
        if (secret.Length >= 8) Known.TryAdd(secret, 0);
        return secret;
    }

    public static IReadOnlyCollection<string> All => Known.Keys.ToArray();
}
