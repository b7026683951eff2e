using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tenancy;

/// <summary>
/// A quota as Kubernetes quantities, kept as the text given ("4", "500m", "8Gi") so that events read as written.
/// A resource left out is zero: nothing of it may be used.
/// </summary>
public sealed record Quota(string? Cpu = null, string? Memory = null, string? Gpu = null, string? Storage = null, string? Pods = null)
{
    public static readonly Quota None = new();

    public static readonly IReadOnlyList<string> Resources = ["cpu", "memory", "gpu", "storage", "pods"];

    public string? this[string resource] => resource switch
    {
        "cpu" => Cpu, "memory" => Memory, "gpu" => Gpu, "storage" => Storage, "pods" => Pods,
        _ => throw new ArgumentOutOfRangeException(nameof(resource), resource, null),
    };

    public Quantity Amount(string resource) => Quantity.TryParse(this[resource], out var q) ? q : Quantity.Zero;

    /// <summary>The resources whose text is not a valid, non-negative quantity (empty when all are fine).</summary>
    public IReadOnlyList<string> InvalidResources() =>
        Resources.Where(r => this[r] is { } text && (!Quantity.TryParse(text, out var q) || q.IsNegative)).ToList();

    public static QuotaTotals Sum(IEnumerable<Quota> quotas)
    {
        var totals = Resources.ToDictionary(r => r, _ => Quantity.Zero);
        foreach (var quota in quotas)
            foreach (var r in Resources) totals[r] += quota.Amount(r);
        return new QuotaTotals(totals);
    }
}

/// <summary>Exact sums of quotas, per resource.</summary>
public sealed record QuotaTotals(IReadOnlyDictionary<string, Quantity> Amounts)
{
    public Quantity this[string resource] => Amounts[resource];

    /// <summary>Where this exceeds <paramref name="limit"/>, and by how much.</summary>
    public IReadOnlyList<(string Resource, Quantity Over)> Exceeding(Quota limit) =>
        Quota.Resources
            .Select(r => (Resource: r, Over: this[r] - limit.Amount(r)))
            .Where(x => x.Over > Quantity.Zero)
            .ToList();

    public static string Describe(IReadOnlyList<(string Resource, Quantity Over)> excess) =>
        string.Join(", ", excess.Select(e => $"{e.Resource} by {Format(e.Resource, e.Over)}"));

    public static string Format(string resource, Quantity q) =>
        resource is "memory" or "storage" ? q.ToBinaryString() : q.ToDecimalString();
}
