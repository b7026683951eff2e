using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Discovery;

namespace Cocktail.KubeSim.Admission;

/// <summary>admission.Attributes: the write being admitted. <see cref="Object"/> may be changed by mutating plugins.</summary>
public sealed record AdmissionRequest(
    ResourceType Type,
    string Operation,
    string Subresource,
    string Namespace,
    string Name,
    JsonObject? Object,
    JsonObject? OldObject,
    UserInfo User,
    bool DryRun)
{
    /// <summary>Warnings to send back in <c>Warning</c> headers (Pod Security on workloads, for instance).</summary>
    public List<string> Warnings { get; } = [];
}

/// <summary>A mutating admission plugin (LimitRanger's defaults). Throws <see cref="Http.ApiException"/> to refuse.</summary>
public interface IMutatingAdmission
{
    void Admit(AdmissionRequest request);
}

/// <summary>A validating admission plugin (PodSecurity, ResourceQuota, ValidatingAdmissionPolicy).</summary>
public interface IValidatingAdmission
{
    void Validate(AdmissionRequest request);
}

/// <summary>Runs mutating plugins, then validating ones, in the apiserver's order.</summary>
public sealed class AdmissionChain(IReadOnlyList<IMutatingAdmission> mutating, IReadOnlyList<IValidatingAdmission> validating)
{
    public void Run(AdmissionRequest request)
    {
        foreach (var plugin in mutating) plugin.Admit(request);
        foreach (var plugin in validating) plugin.Validate(request);
    }
}
