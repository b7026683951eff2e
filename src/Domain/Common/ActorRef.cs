namespace Cocktail.Domain.Common;

/// <summary>Who did something, carried inside events so the audit trail reads without joins.</summary>
public sealed record ActorRef(Guid Id, string Name)
{
    /// <summary>Cocktail itself: reconcilers, schedulers, the bootstrap at first start.</summary>
    public static readonly ActorRef System = new(Guid.Empty, "system");
}
