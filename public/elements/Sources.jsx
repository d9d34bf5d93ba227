// The sources one answer cites (app/chat/render.py): each opens in place to its passage or offer field.
// Rendered by Chainlit's custom-element runner; `props` is injected: {sources: [{name, body}]}.
import { Accordion, AccordionContent, AccordionItem, AccordionTrigger } from "@/components/ui/accordion";
import { Markdown } from "@/components/markdown";

export default function Sources() {
  const sources = props.sources || [];
  return (
    <Accordion type="multiple" className="w-full rounded-md border px-3 offer-sources">
      {sources.map((source, index) => (
        <AccordionItem key={index} value={`source-${index}`} className="last:border-b-0">
          <AccordionTrigger className="py-2 text-left text-sm offer-source-title">{source.name}</AccordionTrigger>
          <AccordionContent className="offer-source-body">
            <Markdown allowHtml={false} latex={false} renderMarkdown={true}>
              {source.body}
            </Markdown>
          </AccordionContent>
        </AccordionItem>
      ))}
    </Accordion>
  );
}
