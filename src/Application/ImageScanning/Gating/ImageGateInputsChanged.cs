using Wolverine.Attributes;

namespace Cocktail.Application.ImageScanning.Gating;

/// <summary>
/// A policy or a vulnerability exception changed: the admission endpoint stops reusing the rules and exceptions it
/// cached per namespace, so the change counts at the next review instead of up to <see cref="ImageGateOptions.InputsCacheTtl"/>
/// later. Published after the change commits (the outbox), handled on the local queue of the replica that made the
/// change; other replicas' caches expire by themselves within the TTL.
/// </summary>
[MessageIdentity("Cocktail.Application.ImageScanning.ImageGateInputsChanged")]
public sealed record ImageGateInputsChanged(string What);

public static class ImageGateInputsChangedHandler
{
    public static void Handle(ImageGateInputsChanged _, ImageAdmissions admissions) => admissions.Forget();
}
