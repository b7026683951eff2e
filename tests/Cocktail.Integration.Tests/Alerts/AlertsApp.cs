using Cocktail.Testing;

namespace Cocktail.Integration.Tests.Alerts;

/// <summary>Cocktail evaluating alert rules every second, with a short quiet time, and quick health probes.</summary>
public sealed class AlertsApp : CocktailApp
{
    public AlertsApp()
    {
        WithSetting("Cocktail:Alerts:EvaluationInterval", "00:00:01");
        WithSetting("Cocktail:Alerts:QuietTime", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeInterval", "00:00:01");
        WithSetting("Cocktail:Inventory:ProbeTimeout", "00:00:01");
        WithSetting("Cocktail:Inventory:ResyncInterval", "00:00:05");
        WithSetting("Cocktail:Reconciling:DriftInterval", "00:00:02");
    }
}

[CollectionDefinition(Name)]
public sealed class AlertsCollection : ICollectionFixture<AlertsApp>
{
    public const string Name = "alerts";
}
