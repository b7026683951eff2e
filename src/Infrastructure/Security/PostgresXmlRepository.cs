using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Npgsql;

namespace Cocktail.Infrastructure.Security;

/// <summary>
/// Keeps ASP.NET Core Data Protection's key ring in PostgreSQL, so every replica can read cookies and stored
/// credentials that another one protected, and a restart does not sign everybody out.
/// </summary>
public sealed class PostgresXmlRepository(NpgsqlDataSource dataSource, string schema) : IXmlRepository
{
    public static readonly string CreateSql =
        $"create table if not exists {CocktailInfrastructure.Schema}.data_protection_keys (friendly_name text primary key, xml text not null, created timestamptz not null default now());";

    // The key ring can be read before the start-up schema work has run (data protection warms up early).
    private readonly Lazy<bool> _table = new(() =>
    {
        EventStore.DatabaseSetup.EnsureOwnTablesAsync(dataSource, CancellationToken.None).GetAwaiter().GetResult();
        return true;
    });

    // IXmlRepository is synchronous by contract; it is called rarely (key ring refresh, about once a day).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        _ = _table.Value;
        using var command = dataSource.CreateCommand($"select xml from {schema}.data_protection_keys order by created");
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        _ = _table.Value;
        using var command = dataSource.CreateCommand(
            $"insert into {schema}.data_protection_keys (friendly_name, xml) values (@name, @xml) on conflict (friendly_name) do nothing");
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }
}
