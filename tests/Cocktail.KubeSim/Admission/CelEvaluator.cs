using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Cel;

namespace Cocktail.KubeSim.Admission;

/// <summary>
/// CEL for ValidatingAdmissionPolicy through the Cel package (0.3.3). It covers the standard macros and string
/// functions (has, all, exists, exists_one, map, filter, size, startsWith, endsWith, contains, matches); the
/// Kubernetes library functions policies commonly use that it lacks are added here (lowerAscii, upperAscii,
/// trim, split, join, indexOf). Compiled programs are cached per expression.
/// </summary>
internal static class CelEvaluator
{
    static readonly CelEnvironment Environment = CreateEnvironment();
    static readonly ConcurrentDictionary<string, CelProgramDelegate> Programs = new();
    static readonly Lock Gate = new();

    static CelEnvironment CreateEnvironment()
    {
        var env = new CelEnvironment(null, "");
        env.RegisterFunction("lowerAscii", [typeof(string)], args => Text(args[0]).ToLowerInvariant());
        env.RegisterFunction("upperAscii", [typeof(string)], args => Text(args[0]).ToUpperInvariant());
        env.RegisterFunction("trim", [typeof(string)], args => Text(args[0]).Trim());
        env.RegisterFunction("split", [typeof(string), typeof(string)], args => Text(args[0]).Split(Text(args[1])).Cast<object>().ToArray());
        env.RegisterFunction("join", [typeof(object[]), typeof(string)], args => string.Join(Text(args[1]), (object?[])(args[0] ?? Array.Empty<object>())));
        env.RegisterFunction("indexOf", [typeof(string), typeof(string)], args => (long)Text(args[0]).IndexOf(Text(args[1]), StringComparison.Ordinal));
        return env;
    }

    /// <summary>Whether <paramref name="expression"/> compiles with the functions this evaluator knows (CRD rules it cannot compile are skipped).</summary>
    public static bool TryCompile(string expression)
    {
        try
        {
            lock (Gate) Programs.GetOrAdd(expression, e => Environment.Compile(e));
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return false;
        }
    }

    static string Text(object? value) => value as string ?? "";

    /// <summary>Evaluates <paramref name="expression"/>; throws <see cref="CelEvaluationException"/> with CEL's reason on failure.</summary>
    public static object? Evaluate(string expression, IDictionary<string, object?> variables)
    {
        try
        {
            CelProgramDelegate program;
            lock (Gate) program = Programs.GetOrAdd(expression, e => Environment.Compile(e));
            return program(variables!);
        }
        catch (CelException e)
        {
            throw new CelEvaluationException(e.Message);
        }
        catch (Exception e) when (e is InvalidCastException or KeyNotFoundException or NullReferenceException or ArgumentException)
        {
            throw new CelEvaluationException(e.Message);
        }
    }

    /// <summary>JSON → the values Cel works with: dictionaries, object[] lists, long/double, string, bool, null.</summary>
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject o => o.ToDictionary(p => p.Key, p => FromJson(p.Value)),
        JsonArray a => a.Select(FromJson).ToArray(),
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString() is var s && long.TryParse(s, out var l) ? l : double.Parse(s, System.Globalization.CultureInfo.InvariantCulture),
        _ => null,
    };
}

/// <summary>A CEL expression failed to compile or evaluate.</summary>
internal sealed class CelEvaluationException(string message) : Exception(message);
