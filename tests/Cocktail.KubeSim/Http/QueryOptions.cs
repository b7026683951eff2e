using Cocktail.KubeSim.Auth;
using Cocktail.KubeSim.Discovery;
using Cocktail.KubeSim.Registry;
using Cocktail.KubeSim.Storage;
using Microsoft.AspNetCore.Http;

namespace Cocktail.KubeSim.Http;

/// <summary>Reads the apiserver's query parameters (ListOptions, CreateOptions, DeleteOptions...).</summary>
public static class QueryOptions
{
    public static string? Get(HttpContext context, string name) =>
        context.Request.Query.TryGetValue(name, out var v) ? v.ToString() : null;

    public static bool Flag(HttpContext context, string name) => Get(context, name) is "1" or "true" or "True";

    public static ListOptions List(HttpContext context, ResourceType type)
    {
        var limit = Get(context, "limit");
        return new ListOptions
        {
            Labels = LabelSelector.Parse(Get(context, "labelSelector")),
            Fields = FieldSelector.Parse(Get(context, "fieldSelector"), type.Resource, type.Group),
            Limit = long.TryParse(limit, out var l) && l > 0 ? l : 0,
            Continue = Get(context, "continue"),
            ResourceVersion = Get(context, "resourceVersion"),
            ResourceVersionMatch = Get(context, "resourceVersionMatch"),
        };
    }

    public static WriteOptions Write(HttpContext context, UserInfo user)
    {
        var dryRun = Get(context, "dryRun");
        if (dryRun is { Length: > 0 } and not "All")
            throw ApiException.BadRequest($"Invalid dry run value: {dryRun}, supported values: All");
        return new WriteOptions(user)
        {
            FieldManager = Get(context, "fieldManager") is { Length: > 0 } m ? m : null,
            DryRun = dryRun == "All",
            Force = Flag(context, "force"),
            FieldValidation = Get(context, "fieldValidation") is { Length: > 0 } v ? v : "Warn",
            UserAgent = context.Request.Headers.UserAgent.ToString(),
        };
    }
}
