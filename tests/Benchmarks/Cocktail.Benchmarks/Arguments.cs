namespace Cocktail.Benchmarks;

/// <summary>"--name value" and "--flag" options, with defaults where they are read.</summary>
public sealed class Arguments(string[] args)
{
    public int Int(string name, int fallback) =>
        String(name) is { } value ? int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) : fallback;

    public string? String(string name)
    {
        var i = Array.IndexOf(args, "--" + name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    public bool Flag(string name) => args.Contains("--" + name);

    /// <summary>Every value of a repeatable option.</summary>
    public IEnumerable<string> All(string name)
    {
        for (var i = 0; i + 1 < args.Length; i++)
            if (args[i] == "--" + name) yield return args[i + 1];
    }
}
