using Cocktail.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Time.Testing;

namespace Cocktail.Integration.Tests.Platform;

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<CocktailApp>
{
    public const string Name = "api";
}

/// <summary>Cocktail with a clock the test moves, for expiry rules.</summary>
public sealed class ClockedCocktailApp : CocktailApp
{
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);

    public ClockedCocktailApp() => WithServices(s => s.Replace(ServiceDescriptor.Singleton<TimeProvider>(Clock)));
}

[CollectionDefinition(Name)]
public sealed class ClockedCollection : ICollectionFixture<ClockedCocktailApp>
{
    public const string Name = "clocked";
}
