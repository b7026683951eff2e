using System.Reflection;
using Cocktail.Domain.Common;

namespace Cocktail.Domain.Tests;

/// <summary>Rebuilds an aggregate from events the way Marten does: the static Create for the first, Apply for the rest.</summary>
public static class Given
{
    public static T Events<T>(params object[] events) where T : class
    {
        T? state = null;
        foreach (var e in events)
        {
            state = state is null
                ? (T)Method(typeof(T), "Create", e.GetType(), BindingFlags.Public | BindingFlags.Static).Invoke(null, [e])!
                : (T)Method(typeof(T), "Apply", e.GetType(), BindingFlags.Public | BindingFlags.Instance).Invoke(state, [e])!;
        }
        return state ?? throw new ArgumentException("Give at least one event.");
    }

    private static MethodInfo Method(Type type, string name, Type eventType, BindingFlags flags) =>
        type.GetMethods(flags).SingleOrDefault(m => m.Name == name && m.GetParameters() is [var p] && p.ParameterType == eventType)
        ?? throw new InvalidOperationException($"{type.Name} has no {name}({eventType.Name}).");

    public static object Single(this Decision decision)
    {
        Assert.Null(decision.Error);
        return Assert.Single(decision.Events);
    }

    public static DomainError Refused(this Decision decision)
    {
        Assert.Empty(decision.Events);
        return Assert.IsType<DomainError>(decision.Error);
    }
}
