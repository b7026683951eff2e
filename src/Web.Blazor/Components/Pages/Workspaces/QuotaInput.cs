using static Cocktail.Web.Components.Shared.Inputs;
using Cocktail.Domain.Common;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Web.Components.Pages.Workspaces;

/// <summary>A quota being typed: one Kubernetes quantity per resource; a blank field is zero.</summary>
public sealed class QuotaInput
{
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public string? Gpu { get; set; }
    public string? Storage { get; set; }
    public string? Pods { get; set; }

    public static QuotaInput From(Quota? quota) => new()
    {
        Cpu = quota?.Cpu, Memory = quota?.Memory, Gpu = quota?.Gpu, Storage = quota?.Storage, Pods = quota?.Pods,
    };

    public Quota ToQuota() => new(Blank(Cpu), Blank(Memory), Blank(Gpu), Blank(Storage), Blank(Pods));

    /// <summary>At once, while typing: the server says the same with more words.</summary>
    public static IEnumerable<string> Check(string? text) =>
        string.IsNullOrWhiteSpace(text) || Quantity.TryParse(text, out var q) && !q.IsNegative
            ? []
            : ["A Kubernetes quantity, like 4, 500m or 8Gi."];

}

/// <summary>Default container limits being typed (the service map's LimitRange); all blank means none.</summary>
public sealed class LimitsInput
{
    public string? Cpu { get; set; }
    public string? Memory { get; set; }
    public string? RequestCpu { get; set; }
    public string? RequestMemory { get; set; }

    public static LimitsInput From(DefaultLimits? limits) => new()
    {
        Cpu = limits?.Cpu, Memory = limits?.Memory, RequestCpu = limits?.RequestCpu, RequestMemory = limits?.RequestMemory,
    };

    public DefaultLimits? ToLimits()
    {
        var limits = new DefaultLimits(Blank(Cpu), Blank(Memory), Blank(RequestCpu), Blank(RequestMemory));
        return limits is { Cpu: null, Memory: null, RequestCpu: null, RequestMemory: null } ? null : limits;
    }

}
