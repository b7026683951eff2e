using Cocktail.Domain.Common;
using Cocktail.Domain.Logs;
using Cocktail.Domain.Tenancy;

namespace Cocktail.Domain.Tests.Logs;

public sealed class LogQueryTests
{
    private static LogQuery Parsed(string text)
    {
        var (query, error) = LogQuery.Parse(text);
        Assert.Null(error);
        return query!;
    }

    private static DomainError Refused(string text)
    {
        var (query, error) = LogQuery.Parse(text);
        Assert.Null(query);
        Assert.Equal("q", error!.Field);
        return error;
    }

    [Fact]
    public void words_phrases_and_exclusions_are_terms_in_the_order_given() =>
        Assert.Equal(
            [new LogTerm("payment", false, false), new LogTerm("card declined", true, false), new LogTerm("debug", false, true),
                new LogTerm("health check", true, true)],
            Parsed("payment \"card  declined\" -debug -\"health check\"").Terms);

    [Fact]
    public void an_empty_or_blank_query_matches_everything() =>
        Assert.True(Parsed("   ").IsEmpty);

    [Fact]
    public void a_hyphen_inside_a_word_is_part_of_it_not_an_exclusion() =>
        Assert.Equal([new LogTerm("x-request-id", false, false), new LogTerm("a", false, false)], Parsed("x-request-id a").Terms);

    [Fact]
    public void an_unbalanced_quote_is_refused_on_q_with_where_it_is() =>
        Assert.Contains("position 7", Refused("error \"timeout").Message);

    [Fact]
    public void a_quote_inside_a_word_is_refused() =>
        Assert.Contains("inside a word", Refused("abc\"def\"").Message);

    [Fact]
    public void empty_quotes_are_refused() => Refused("error \"\"");

    [Fact]
    public void a_term_without_letters_or_digits_is_refused() =>
        Assert.Contains("no letter or digit", Refused("error -- ***").Message);

    [Fact]
    public void queries_are_bounded_in_length_and_terms()
    {
        Refused(new string('a', LogQuery.MaxLength + 1));
        Refused(string.Join(' ', Enumerable.Range(0, LogQuery.MaxTerms + 1).Select(i => $"w{i}")));
        Assert.Equal(LogQuery.MaxTerms, Parsed(string.Join(' ', Enumerable.Range(0, LogQuery.MaxTerms).Select(i => $"w{i}"))).Terms.Count);
    }

    [Fact]
    public void a_query_of_exclusions_only_has_no_positive_term() =>
        Assert.False(Parsed("-debug -\"health check\"").HasPositiveTerm);

    [Fact]
    public void the_query_reads_back_as_written_normalised() =>
        Assert.Equal("a \"b c\" -d -\"e f\"", Parsed("  a   \" b   c \"  -d  -\"e f\" ").ToString());
}

public sealed class WorkspaceLogRetentionTests
{
    private static readonly DateTimeOffset Now = new(2026, 5, 3, 9, 0, 0, TimeSpan.Zero);
    private static readonly ActorRef Admin = new(Guid.NewGuid(), "admin");
    private static readonly Guid Id = Guid.NewGuid();
    private static readonly WorkspaceCreated Created = new(Id, "team-a", null, null, Admin, Now);

    [Fact]
    public void a_new_workspace_keeps_its_logs_seven_days() =>
        Assert.Equal(7, Given.Events<Workspace>(Created).LogRetentionDays);

    [Fact]
    public void setting_a_retention_class_records_it_with_the_previous_one() =>
        Assert.Equal(new WorkspaceLogRetentionSet(Id, "team-a", 30, 7, Admin, Now),
            Given.Events<Workspace>(Created).SetLogRetention(30, Admin, Now).Single());

    [Fact]
    public void a_retention_that_is_no_class_is_refused_on_days() =>
        Assert.Equal("days", Given.Events<Workspace>(Created).SetLogRetention(5, Admin, Now).Refused().Field);

    [Fact]
    public void setting_the_same_retention_again_records_nothing()
    {
        var workspace = Given.Events<Workspace>(Created, new WorkspaceLogRetentionSet(Id, "team-a", 14, 7, Admin, Now));
        Assert.Empty(workspace.SetLogRetention(14, Admin, Now).Events);
        Assert.Null(workspace.SetLogRetention(14, Admin, Now).Error);
    }

    [Fact]
    public void a_deleted_workspace_has_no_retention_to_set() =>
        Assert.Equal(ErrorKind.NotFound,
            Given.Events<Workspace>(Created, new WorkspaceDeleted(Id, "team-a", Admin, Now)).SetLogRetention(14, Admin, Now).Refused().Kind);
}
