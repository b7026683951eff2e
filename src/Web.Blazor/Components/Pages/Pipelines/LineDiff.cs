namespace Cocktail.Web.Components.Pages.Pipelines;

public enum DiffKind { Same, Removed, Added }

public sealed record DiffLine(DiffKind Kind, string Text);

/// <summary>
/// A line diff by longest common subsequence: enough for two versions of a pipeline's YAML (a few hundred lines at
/// most; beyond <see cref="MaxLines"/> it shows the whole before as removed and the after as added rather than spend
/// quadratic memory).
/// </summary>
public static class LineDiff
{
    public const int MaxLines = 2000;

    public static IReadOnlyList<DiffLine> Of(string before, string after)
    {
        var a = Lines(before);
        var b = Lines(after);
        if (a.Length > MaxLines || b.Length > MaxLines)
            return [.. a.Select(l => new DiffLine(DiffKind.Removed, l)), .. b.Select(l => new DiffLine(DiffKind.Added, l))];
        var common = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                common[i, j] = a[i] == b[j] ? common[i + 1, j + 1] + 1 : Math.Max(common[i + 1, j], common[i, j + 1]);
        var diff = new List<DiffLine>(a.Length + b.Length);
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { diff.Add(new(DiffKind.Same, a[x])); x++; y++; }
            else if (common[x + 1, y] >= common[x, y + 1]) diff.Add(new(DiffKind.Removed, a[x++]));
            else diff.Add(new(DiffKind.Added, b[y++]));
        }
        while (x < a.Length) diff.Add(new(DiffKind.Removed, a[x++]));
        while (y < b.Length) diff.Add(new(DiffKind.Added, b[y++]));
        return diff;
    }

    private static string[] Lines(string text) => text.Replace("\r\n", "\n").TrimEnd('\n').Split('\n');
}
