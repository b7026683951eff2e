using Cocktail.Application.Common;
using Marten;
using Wolverine.Runtime.Handlers;

namespace Cocktail.Infrastructure.Messaging;

/// <summary>Applies the actor and event-metadata middleware only where a handler can use them.</summary>
internal static class HandlerPolicies
{
    public static bool TakesActor(HandlerChain chain) => Takes(chain, typeof(Actor));

    public static bool WritesToMarten(HandlerChain chain) => Takes(chain, typeof(IDocumentSession));

    private static bool Takes(HandlerChain chain, Type parameterType) =>
        chain.Handlers.Any(h => h.Method.GetParameters().Any(p => p.ParameterType == parameterType));
}
