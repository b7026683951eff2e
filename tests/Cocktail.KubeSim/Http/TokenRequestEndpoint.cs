using System.Text.Json.Nodes;
using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Json;
using Cocktail.KubeSim.Registry;

namespace Cocktail.KubeSim.Http;

/// <summary>
/// serviceaccounts/token (TokenRequest): a bound JWT for the ServiceAccount, valid for expirationSeconds
/// (at least 600, default 3600) and for the requested audiences (default: the apiserver's own).
/// </summary>
internal sealed class TokenRequestEndpoint(ClusterRuntime cluster)
{
    const long MinExpirationSeconds = 600;
    const long MaxExpirationSeconds = 1L << 32;

    public async Task Serve(Exchange exchange, ResourceType serviceAccounts)
    {
        var info = exchange.Info!;
        var request = await RequestBody.ReadObject(exchange.Http);
        exchange.RequestObject = request;
        var expiration = request.Long("spec", "expirationSeconds") ?? 3600;
        var errors = new List<FieldError>();
        if (expiration < MinExpirationSeconds)
            errors.Add(new FieldError("spec.expirationSeconds", "FieldValueInvalid", $"Invalid value: {expiration}: may not specify a duration less than 10 minutes"));
        if (expiration > MaxExpirationSeconds)
            errors.Add(new FieldError("spec.expirationSeconds", "FieldValueInvalid", $"Invalid value: {expiration}: may not specify a duration larger than 2^32 seconds"));
        if (errors.Count > 0) throw ApiException.Invalid("authentication.k8s.io", "TokenRequest", "", errors);

        var account = cluster.Registry.Get(serviceAccounts, info.Namespace, info.Name);
        var audiences = request.At("spec", "audiences") is JsonArray { Count: > 0 } a
            ? a.Select(x => x!.GetValue<string>()).ToList()
            : TokenIssuer.ApiServerAudiences.ToList();
        var bound = request.At("spec", "boundObjectRef") as JsonObject;
        var (token, expiresAt) = cluster.Tokens.IssueServiceAccountToken(info.Namespace, info.Name, account.Uid(), audiences, expiration, bound);
        var spec = new JsonObject
        {
            ["audiences"] = new JsonArray(audiences.Select(x => (JsonNode)x!).ToArray()),
            ["expirationSeconds"] = expiration,
            ["boundObjectRef"] = bound?.DeepClone(),
        };
        await exchange.Respond(201, new JsonObject
        {
            ["kind"] = "TokenRequest",
            ["apiVersion"] = "authentication.k8s.io/v1",
            ["metadata"] = new JsonObject
            {
                ["name"] = info.Name, ["namespace"] = info.Namespace,
                ["creationTimestamp"] = ObjectMetadata.Timestamp(cluster.Time.GetUtcNow()),
            },
            ["spec"] = spec,
            ["status"] = new JsonObject { ["token"] = token, ["expirationTimestamp"] = ObjectMetadata.Timestamp(expiresAt) },
        });
    }
}
