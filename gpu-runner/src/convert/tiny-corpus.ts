/**
 * Text the tiny tokenizers are trained on: prompts and questions of the kind the service sees, so
 * that common words become single tokens and test prompts tokenize to realistic lengths.
 */
export const TINY_CORPUS: readonly string[] = [
  'a photo of a cat sitting on a red sofa',
  'a watercolor painting of mountains at sunset',
  'an astronaut riding a horse on the moon, digital art',
  'a bowl of fruit on a wooden table, oil painting',
  'a small house in a snowy forest at night',
  'a portrait of an old man with a beard, black and white photo',
  'a futuristic city skyline with flying cars',
  'a dog running on the beach with a ball',
  'a cup of coffee next to a laptop on a desk',
  'two birds sitting on a branch in spring',
  'a sailing boat on a calm blue sea',
  'a close up of a sunflower in a field',
  'a red sports car parked in front of a building',
  'a plate of pasta with tomato sauce and basil',
  'an illustration of a dragon flying over a castle',
  'a green apple and a yellow banana on a white background',
  'a child reading a book under a tree',
  'a lighthouse on a rocky coast during a storm',
  'a pixel art character standing in a meadow',
  'three colorful balloons floating in the sky',
  'USER: What is in this image? ASSISTANT:',
  'USER: Describe the picture in detail. ASSISTANT:',
  'USER: How many people are there? ASSISTANT:',
  'USER: What color is the car? ASSISTANT:',
  'The image shows a cat lying on a sofa. The cat is orange and white.',
  'There are two people walking along the street, and the sky is blue.',
  'It is a photo of a mountain landscape with a lake in the foreground.',
  'Yes, there is a dog in the image. No, the door is closed.',
]
