using System.Collections;
using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Cocktail.Web.Hosting;

/// <summary>
/// One gate in front of every logger of the process (Cocktail's, ASP.NET Core's, Wolverine's, Marten's): values put
/// into a log line cannot forge lines (CR, LF and other control characters are written escaped), and Cocktail's own
/// objects (commands, queries, connections) are written as their type name only, never whole, so that a failed
/// command does not put what the user sent (passwords, kubeconfigs) into the log. The same for the console's SignalR
/// messages, which carry what the user types.
/// </summary>
public static partial class SafeLogging
{
    public static IServiceCollection AddSafeLogging(this IServiceCollection services)
    {
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(s => new SafeLoggerFactory(new LoggerFactory(
            s.GetServices<ILoggerProvider>(), s.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
            s.GetService<IOptions<LoggerFactoryOptions>>(), s.GetService<IExternalScopeProvider>()))));
        return services;
    }

    /// <summary>Writes control characters visibly (\r, \n, \u001b...): a value stays on its line.</summary>
    public static string Neutralise(string value)
    {
        var at = 0;
        while (at < value.Length && !NeedsEscape(value[at])) at++;
        if (at == value.Length) return value;
        var text = new StringBuilder(value.Length + 8).Append(value, 0, at);
        for (; at < value.Length; at++)
        {
            var c = value[at];
            if (!NeedsEscape(c)) text.Append(c);
            else if (c == '\r') text.Append("\\r");
            else if (c == '\n') text.Append("\\n");
            else text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
        }
        return text.ToString();
    }

    /// <summary>
    /// The audit webhook's http URL ends with the cluster's secret (an API server sends no token over http), and
    /// ASP.NET Core logs request paths ("Request starting ..."): that segment is written as ***.
    /// </summary>
    public static string RedactSecretsInPaths(string value) =>
        value.Contains(IngestPath, StringComparison.Ordinal) ? IngestSecret().Replace(value, "$1***") : value;

    private const string IngestPath = "/api/v1/audit/ingest/";

    [System.Text.RegularExpressions.GeneratedRegex(@"(/api/v1/audit/ingest/[0-9A-Fa-f-]{36}/)[^/?#\s""]+")]
    private static partial System.Text.RegularExpressions.Regex IngestSecret();

    private static bool NeedsEscape(char c) =>
        char.IsControl(c) && c != '\t' || c is '\u2028' or '\u2029' or '\u0085';

    /// <summary>What a value of a log line becomes: numbers and dates as they are, text neutralised, our objects by name.</summary>
    internal static object? Safe(object? value) => value switch
    {
        null => null,
        string s => Neutralise(RedactSecretsInPaths(s)),
        Enum or Guid or DateTime or DateTimeOffset or TimeSpan => value,
        IFormattable when value.GetType().IsPrimitive || value is decimal => value,
        _ when IsOurs(value.GetType()) => value.GetType().Name,
        // SignalR logs each console event at Debug, with what the user typed (a password field's value): name it only.
        HubMethodInvocationMessage invocation => $"{invocation.GetType().Name} {invocation.Target}",
        HubMessage message => message.GetType().Name,
        IEnumerable items => string.Join(", ", items.Cast<object?>().Select(i => Safe(i)?.ToString() ?? "(null)")),
        _ => Neutralise(Convert.ToString(value, CultureInfo.InvariantCulture) ?? ""),
    };

    private static bool IsOurs(Type type) => type.Assembly.GetName().Name?.StartsWith("Cocktail.", StringComparison.Ordinal) == true;

    private sealed class SafeLoggerFactory(ILoggerFactory inner) : ILoggerFactory
    {
        public ILogger CreateLogger(string categoryName) => new SafeLogger(inner.CreateLogger(categoryName));
        public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);
        public void Dispose() => inner.Dispose();
    }

    private sealed class SafeLogger(ILogger inner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel)) return;
            if (state is IReadOnlyList<KeyValuePair<string, object?>> values && SafeLine.TryCreate(values) is { } line)
                inner.Log(logLevel, eventId, line, exception, static (s, _) => s.ToString());
            else
                inner.Log(logLevel, eventId, state, exception, (s, e) => Neutralise(RedactSecretsInPaths(formatter(s, e))));
        }
    }

    /// <summary>A structured log line with safe values, formatted from its template with those values.</summary>
    private sealed class SafeLine : IReadOnlyList<KeyValuePair<string, object?>>
    {
        private const string OriginalFormat = "{OriginalFormat}";
        private readonly KeyValuePair<string, object?>[] _values;
        private readonly string _message;

        private SafeLine(KeyValuePair<string, object?>[] values, string message)
        {
            _values = values;
            _message = message;
        }

        public static SafeLine? TryCreate(IReadOnlyList<KeyValuePair<string, object?>> state)
        {
            string? template = null;
            var values = new KeyValuePair<string, object?>[state.Count];
            var byName = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < state.Count; i++)
            {
                var (key, value) = state[i];
                if (key == OriginalFormat)
                {
                    template = value as string;
                    values[i] = state[i];
                    continue;
                }
                var safe = Safe(value);
                values[i] = new(key, safe);
                byName[key] = safe;
            }
            var message = template is null ? null : Format(template, byName);
            return message is null ? null : new SafeLine(values, message);
        }

        /// <summary>Message templates as Microsoft.Extensions.Logging reads them: {Name}, {Name,align}, {Name:format}, {{ and }}.</summary>
        private static string? Format(string template, Dictionary<string, object?> values)
        {
            var text = new StringBuilder(template.Length + 32);
            for (var i = 0; i < template.Length; i++)
            {
                var c = template[i];
                if (c is '{' or '}' && i + 1 < template.Length && template[i + 1] == c)
                {
                    text.Append(c);
                    i++;
                    continue;
                }
                if (c != '{')
                {
                    text.Append(c);
                    continue;
                }
                var end = template.IndexOf('}', i);
                if (end < 0) return null;
                var hole = template[(i + 1)..end];
                var nameEnd = hole.IndexOfAny([',', ':']);
                var name = nameEnd < 0 ? hole : hole[..nameEnd];
                if (name.StartsWith('@') || name.StartsWith('$')) name = name[1..];
                if (!values.TryGetValue(name, out var value)) return null;
                text.Append(string.Format(CultureInfo.InvariantCulture, "{0" + (nameEnd < 0 ? "" : hole[nameEnd..]) + "}", value ?? "(null)"));
                i = end;
            }
            return text.ToString();
        }

        public override string ToString() => _message;
        public KeyValuePair<string, object?> this[int index] => _values[index];
        public int Count => _values.Length;
        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)_values).GetEnumerator();
        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
